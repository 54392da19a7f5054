"""OPTIONS on every API route: the allowed methods and the input fields, without reading any object.

DRF's SimpleMetadata fetches the object for PUT, which fails (500) on a
route whose PUT replaces a collection (the service circle) and would read
client data (an access-log row) just to describe a form. Here the
description comes from the permissions and the serializer alone.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.metadata import SimpleMetadata
from rest_framework.request import clone_request


class DescribeWithoutReading(SimpleMetadata):
    def determine_actions(self, request, view):
        actions = {}
        for method in {"PUT", "POST"} & set(view.allowed_methods):
            view.request = clone_request(request, method)
            try:
                view.check_permissions(view.request)
            except (exceptions.APIException, PermissionDenied, Http404):
                continue
            finally:
                view.request = request
            actions[method] = self.get_serializer_info(view.get_serializer())
        return actions
