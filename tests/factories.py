import factory
from django.contrib.auth import get_user_model

from tenants.models import Invitation, Membership
from tenants.roles import Role

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    username = factory.LazyAttribute(lambda user: user.email)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        from allauth.account.models import EmailAddress

        user.set_password(PASSWORD)
        user.save()
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Role.MEMBER
