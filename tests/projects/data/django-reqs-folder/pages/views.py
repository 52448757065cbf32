import importlib.util

from django.http import HttpResponse


def home(request):
    # The local file's debug toolbar must not be installed in a production image.
    toolbar = "with" if importlib.util.find_spec("debug_toolbar") else "without"
    return HttpResponse(f"pages: production requirements, {toolbar} the debug toolbar")
