"""Dockings with published models, in limit cases where both should agree: Bass (1969),
Watts (2002), Centola & Macy (2007), Rogers' adopter categories and March (1991)."""
