"""The forkserver's preload: importing this module prepares the process that local
workers are forked from (the model, without pandas: :func:`milieusim.experiment.preload.preload`).

Only the forkserver imports it (its preload list, :data:`milieusim.experiment.executors.PRELOAD`).
"""

from milieusim.experiment.preload import preload

preload()
