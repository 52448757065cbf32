from django.http import Http404, JsonResponse

NOTES = ["buy milk", "write tests"]


def index(request):
    return JsonResponse({"message": "notes from django", "count": len(NOTES)})


def note(request, number):
    if not 0 <= number < len(NOTES):
        raise Http404("no such note")
    return JsonResponse({"note": NOTES[number]})
