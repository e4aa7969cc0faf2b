"""The submodels of :class:`milieusim.model.MilieuModel`, as functions over its state.

One module per submodel of the ODD (``docs/ODD.md``, section 7), in layers: each imports
only the layers below it at run time, and the model only for type hints. From the bottom:

``absorption``, ``prudence``, ``tolerance``: the lever specifications (``learning_spec``,
``inertia_spec``, ``tolerance_spec``; docs/ODD.md §7.14), read by the submodels above and
by the managers (``agents``); then:

``ties``       the informal network now: contacts, ties made and forgotten, cohesion;
``rules``      rules over units: where they apply, burden, compatibility, breeding;
``uptake``     staff adoption: who starts and stops using each practice;
``pilots``     approved proposals: team, interim check, outcome, lessons, blame;
``ideas``      contacts, encounters and anomalies, and the ideas the organisation forms;
``adaptation`` variants of practices seen in another unit or at a partner;
``practices``  paralysis, reviews of practices in use, slow variables, the pilot fund;
``build``      the organisation at step 0 and its seeded innovations;
``observe``    the weekly reporters.

The model (:mod:`milieusim.model`) keeps the state, the parameters and their one door
(``set``), the random streams, the levers and ``step()``, which calls these in the ODD's
order. This package's ``__init__`` imports nothing.
"""

LAYERS: tuple[str, ...] = (
    "absorption",
    "prudence",
    "tolerance",
    "ties",
    "rules",
    "uptake",
    "pilots",
    "ideas",
    "adaptation",
    "practices",
    "build",
    "observe",
)
"""The submodel modules from the lowest layer up: each may import only those before it."""
