"""``python -m milieusim``: the same as the ``milieusim`` command."""

from milieusim.cli import main

if __name__ == "__main__":
    main(prog_name="milieusim")
