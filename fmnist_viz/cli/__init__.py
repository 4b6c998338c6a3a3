"""The ``fmnist-viz`` command: :mod:`.parser` parses the arguments and runs a command, :mod:`.options` holds the
argument types and the options commands share, :mod:`.commands` the commands that embed and
:mod:`.data_commands` ``data`` and ``grid``. Each command only calls the library."""
