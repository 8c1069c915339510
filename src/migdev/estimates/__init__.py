"""Estimates from the real releases: demographic accounts (``accounts``) and the build's flows step
(``flows_step``). The estimators themselves are pure and live in :mod:`migdev.flows`."""
