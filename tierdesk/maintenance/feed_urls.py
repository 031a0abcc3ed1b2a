"""Calendar feeds, mounted at /calendar/ (tierdesk/urls.py)."""

from django.urls import path

from tierdesk.maintenance import views_feeds

app_name = "calendar_feeds"
urlpatterns = [
    path("<str:secret>.ics", views_feeds.feed_ics, name="ics"),
    path("mine/", views_feeds.my_feed, name="my_feed"),
    path("clients/<int:pk>/", views_feeds.client_feed, name="client_feed"),
    path("portal/", views_feeds.portal_feed, name="portal_feed"),
]
