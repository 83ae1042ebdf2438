from django.http import HttpResponse


def _todo(request, *a, **k):  # placeholder
    return HttpResponse('todo')


roster_import = _todo
import_template = _todo
import_job = _todo
import_errors = _todo
