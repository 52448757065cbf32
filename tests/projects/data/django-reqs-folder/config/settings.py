"""Settings read from the environment; the requirements/ folder holds one file per environment."""

import os

SECRET_KEY = os.environ.get("PAGES_SECRET_KEY", "only-for-local-runs")
DEBUG = os.environ.get("PAGES_DEBUG") == "1"
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = ["django.contrib.contenttypes", "pages"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DATABASES = {}
USE_TZ = True
