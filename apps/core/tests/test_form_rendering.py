from django import forms
from django.template import Context, Template


class ChoiceForm(forms.Form):
    mode = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    agree = forms.BooleanField()


def render(form) -> str:
    return Template("{% load jxc %}{% bs_widget form.mode %}|{% bs_widget form.agree %}").render(
        Context({"form": form})
    )


def test_radio_group_wrapper_gets_no_input_class_but_a_single_checkbox_does():
    group, checkbox = render(ChoiceForm()).split("|")

    assert 'class="form-check-input' not in group.split("<input", 1)[0]
    assert 'class="form-check-input"' in checkbox
