"""Companies & contacts, at /parties/ on workspace hosts."""

from django.urls import path

from modules.parties import views

urlpatterns = [
    path("", views.party_list, name="party_list"),
    path("new/", views.party_create, name="party_create"),
    path("<int:pk>/", views.party_detail, name="party_detail"),
    path("<int:pk>/edit/", views.party_edit, name="party_edit"),
    path("<int:pk>/archive/", views.party_archive, name="party_archive"),
    path("<int:pk>/restore/", views.party_restore, name="party_restore"),
    path("<int:pk>/addresses/", views.address_add, name="party_address_add"),
    path("<int:pk>/addresses/<int:address_id>/remove/", views.address_remove, name="party_address_remove"),
    path("<int:pk>/merge/<int:other_pk>/", views.party_merge, name="party_merge"),
]
