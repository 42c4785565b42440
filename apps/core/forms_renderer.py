from django.forms.renderers import TemplatesSetting


class BootstrapFormRenderer(TemplatesSetting):
    """``{{ form }}`` renders Bootstrap 5 markup with field-level error messages."""

    form_template_name = "includes/forms/div.html"
    field_template_name = "includes/forms/field.html"
