"""The web face of ladder (``ladder serve``): a check-in page for volunteers' phones, an OSDI
1.2 API, and the HTML report (``html_report``: ``/report``, and the file ``ladder report html``
writes). A front end over ``ladder/``, beside ``cli/``: no logic here that the CLI needs. Its
packages (FastAPI, Jinja2, uvicorn, matplotlib) are the ``[web]`` extra, imported only by
``serve`` and ``report html``."""
