from django.http import HttpResponse


def daily_brief(request):  # placeholder
    return HttpResponse("todo")
