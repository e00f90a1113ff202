# One place for the project's warning flags; targets opt in by linking iso_warnings.
add_library(iso_warnings INTERFACE)
target_compile_options(iso_warnings INTERFACE -Wall -Wextra -pedantic -Wnon-virtual-dtor)

# The Qt side also refuses implicit conversions between char strings and QString.
add_library(iso_qt_strict INTERFACE)
target_compile_definitions(iso_qt_strict INTERFACE
    QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII QT_NO_CAST_FROM_BYTEARRAY QT_NO_URL_CAST_FROM_STRING
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT QT_USE_QSTRINGBUILDER)
