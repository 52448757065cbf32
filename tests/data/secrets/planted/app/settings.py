"""Settings (planted test secrets)."""
import os

GITHUB_TOKEN = "ghp_VaMnz6kipuOzQLDDlg5XfXDbbMNah8NxffBT"
SECRET_KEY = '&h3u-h0mz66*&05s*!9e-=+nh22o=5me@k9zyf5mw4g*5jq'
GOOGLE_MAPS_KEY = "AIza3bMVjPAMUrTCY4a7iJqx7uDSeHoE8orrWBZ"
DB_PASSWORD = "VEJnr2Kru9HtJf+7"
aws_secret = "x6ghRbC2lmGqhZfeaiId7YPsTFLtMRbM+dIjoSV3"
GITLAB_TOKEN = "glpat-SvkiTQfPhk5J_f4N_7gl"
DEBUG = os.environ.get("DEBUG") == "1"
