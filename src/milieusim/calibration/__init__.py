"""Calibration by approximate Bayesian computation (ABC-SMC) against sourced targets.

:mod:`~milieusim.calibration.problem` reads what is fitted (priors, organisation, targets,
distance), :mod:`~milieusim.calibration.simulate` runs one candidate and surveys it with the
virtual barometer, :mod:`~milieusim.calibration.abc` is the ABC-SMC over the project's
executors, :mod:`~milieusim.calibration.run` saves and resumes generations,
:mod:`~milieusim.calibration.predictive` is the posterior predictive check and
:mod:`~milieusim.calibration.report` writes the results. The command is ``milieusim
calibrate`` (:mod:`milieusim.cli.calibrate`); the method is described in
``docs/calibration.md`` ("Calibration by ABC").
"""
