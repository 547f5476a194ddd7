"""The HTML report (``ladder report html``, ``/report`` in ``ladder serve``): see
:mod:`ladder.reports.html.page`. Nothing here imports matplotlib until a chart is drawn."""
