from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Data"))
    file = forms.FileField(label=_("File"), help_text=_(".xlsx or .csv (UTF-8 or GBK)"))

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind.name, kind.label) for kind in kinds]
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv"
