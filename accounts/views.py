from urllib.parse import urlencode

from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from . import selectors
from .forms import SignInForm, UserListFilterForm
from .mixins import AdministratorRequiredMixin
from .phone import format_mobile


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "home.html"


class UserListView(AdministratorRequiredMixin, TemplateView):
    """The Users list: search and filters in the query string, so every view is bookmarkable."""

    template_name = "accounts/user_list.html"

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted:
            return [f"{self.template_name}#results"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        form = UserListFilterForm(self.request.GET or None)
        users = selectors.user_list(tenant=self.tenant, **form.filters())
        page = selectors.page_of(users, number=form.page_number, per_page=form.page_size)
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            form=form,
            page=page,
            query=urlencode(list(query.lists()), doseq=True),
            **kwargs,
        )


class UserDetailView(AdministratorRequiredMixin, TemplateView):
    template_name = "accounts/user_detail.html"

    def get_context_data(self, **kwargs):
        profile = selectors.user_get(tenant=self.tenant, user_id=self.kwargs["pk"])
        return super().get_context_data(
            profile=profile, mobile=format_mobile(profile.mobile), **kwargs
        )
