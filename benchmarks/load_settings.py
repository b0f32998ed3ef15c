"""Settings of the whole-app load benchmark (`benchmarks/load.py`): the app's own settings, read from the same
environment variables as production (the harness sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS…), with one change —
a URLconf that adds the hello-world view `/__hello__/` behind the same middleware. The app's URLs are untouched.
"""

from programme.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.load"
