"""``python -m milieusim``: the same as the ``milieusim`` command."""

from milieusim._entry import main

if __name__ == "__main__":
    main()
