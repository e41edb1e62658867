/* tka_version(): the version string generated from project(VERSION). */
#include "tokalign/version.h"

const char *tka_version(void)
{
    return TKA_VERSION_STRING;
}
