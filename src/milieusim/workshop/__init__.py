"""The workshop: a live, offline, bilingual browser simulation for trainers.

``milieusim viz`` serves :mod:`~milieusim.workshop.app` with Solara
(:mod:`~milieusim.workshop.server`); ``milieusim animate`` renders the same drawing
(:mod:`~milieusim.workshop.drawing`, :mod:`~milieusim.workshop.layout`) to a GIF or an MP4
(:mod:`~milieusim.workshop.animate`). :mod:`~milieusim.workshop.session` holds the state
of one page, :mod:`~milieusim.workshop.controls` the sliders and interventions,
:mod:`~milieusim.workshop.i18n` the French and English strings.
"""
