from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Open signup is the public site's job (onboarding); on workspace hosts people join by invitation."""

    def is_open_for_signup(self, request):
        return getattr(request, "tenant", None) is None
