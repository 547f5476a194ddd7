"""The web face of ladder (``ladder serve``): a check-in page for volunteers' phones and an
OSDI 1.2 API. A front end over ``ladder/``, beside ``cli/``: no logic here that the CLI needs.
Its packages (FastAPI, Jinja2, uvicorn) are the ``[web]`` extra, imported only by ``serve``."""
