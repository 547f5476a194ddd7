"""Other tools' formats, both ways: OSDI HAL+JSON (:mod:`ladder.interop.osdi_export`,
:mod:`ladder.interop.osdi_import`)."""
