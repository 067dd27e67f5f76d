"""Form fields every app's public forms share."""

import hashlib

from django import forms
from django.core.exceptions import EmptyResultSet, ValidationError
from django.forms.models import ModelChoiceIterator

from .cache import cached


class _CachedRowsIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.rows():
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.rows()) + (1 if self.field.empty_label is not None else 0)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.field.rows())


class ContentChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField for choices editors keep (villages, attractions): its rows are read once
    per content version (``town.cache``, whose version their edits bump) instead of on every
    page that shows the form, and a chosen value is found among them without another query."""

    iterator = _CachedRowsIterator

    def rows(self):
        queryset = self.queryset
        if getattr(self, "_rows_of", None) is not queryset:
            try:
                sql = str(queryset.query)
            except EmptyResultSet:  # queryset.none(): nothing to choose, nothing to read
                sql = None
            if sql is None:
                self._rows = []
            else:
                # The query itself is the key: the same choices whatever form asks for them.
                digest = hashlib.sha256(sql.encode()).hexdigest()
                self._rows = cached(("choices", queryset.model._meta.label, digest), lambda: list(queryset))
            self._rows_of = queryset
        return self._rows

    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        model = self.queryset.model
        key = self.to_field_name or "pk"
        if isinstance(value, model):
            value = getattr(value, key)
        field = model._meta.pk if key == "pk" else model._meta.get_field(key)
        try:
            wanted = field.to_python(value)
        except ValidationError:
            wanted = None
        for row in self.rows() if wanted is not None else ():
            if getattr(row, key) == wanted:
                return row
        raise ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )
