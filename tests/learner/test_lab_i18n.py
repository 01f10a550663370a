"""The learner's JupyterLab: the kit's Vietnamese over the vi-VN pack, and notebooks served
with their kernel's metadata (so they do not open marked unsaved). No server needed."""
from jupyter_client.kernelspec import KernelSpecManager

from grading.learner import lab, lab_i18n


def test_kit_strings_lay_over_the_language_pack():
    data, message = lab_i18n.translations("vi_VN")
    assert message == ""
    strings = data["jupyterlab"]
    assert strings["Run All Cells"] == ["Chạy tất cả các ô"]  # the pack lacks it
    assert strings["Cut Cell"] == ["Cắt ô", "Cắt các ô"]  # plural: both forms
    assert strings[""]["language"] == "vi-VN" and len(strings) > 600  # the pack's are kept
    assert "jupyterlab_widgets" in data
    assert lab_i18n.translations("en")[0] == {}  # other locales untouched


def test_opened_notebook_gets_its_kernels_metadata():
    from ipykernel.ipkernel import IPythonKernel

    nb = {"metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
          "cells": []}
    assert lab.kernel_metadata(nb, KernelSpecManager()) is True
    assert nb["metadata"]["language_info"] == IPythonKernel.language_info
    assert nb["metadata"]["kernelspec"]["display_name"] == "Python 3 (ipykernel)"
    assert lab.kernel_metadata(nb, KernelSpecManager()) is False  # already as the kernel says
