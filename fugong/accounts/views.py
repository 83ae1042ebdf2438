from django.contrib.auth import views as auth_views
from django.http import HttpResponse


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    pass


def user_list(request, *a, **k):  # placeholder, replaced by the accounts pages
    return HttpResponse("todo")


user_create = user_edit = user_list
