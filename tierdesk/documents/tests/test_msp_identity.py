"""The MSP's identity comes from settings, else the environment, else a neutral default."""

from tierdesk.documents.msp import msp_hotline, msp_identity, msp_name


def test_settings_win_over_the_environment(settings, monkeypatch):
    settings.TIERDESK_MSP_NAME = "From settings"
    monkeypatch.setenv("TIERDESK_MSP_NAME", "From environment")
    assert msp_name() == "From settings"


def test_the_environment_is_used_when_settings_do_not_say(settings, monkeypatch):
    del settings.TIERDESK_MSP_NAME
    del settings.TIERDESK_HOTLINE
    monkeypatch.setenv("TIERDESK_MSP_NAME", "Env IT")
    monkeypatch.setenv("TIERDESK_HOTLINE", "+1 555 0000")
    assert msp_identity().name == "Env IT"
    assert msp_hotline() == "+1 555 0000"


def test_a_fresh_install_gets_a_neutral_name(settings, monkeypatch):
    del settings.TIERDESK_MSP_NAME
    monkeypatch.delenv("TIERDESK_MSP_NAME", raising=False)
    assert msp_name() == "Your MSP"
