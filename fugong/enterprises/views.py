from django.http import HttpResponse


def _todo(request, *a, **k):  # placeholder
    return HttpResponse("todo")


enterprise_list = _todo
enterprise_create = _todo
enterprise_detail = _todo
enterprise_edit = _todo
enterprise_history = _todo
enterprise_reveal_contact = _todo
project_list = _todo
project_create = _todo
project_detail = _todo
project_edit = _todo
