/* Portable markers for the public API: TKA_API exports a function from the
 * shared library (everything else is built hidden), TKA_PRINTF asks for
 * printf-style format checks where the compiler has them. */
#ifndef TOKALIGN_EXPORT_H
#define TOKALIGN_EXPORT_H

#if defined(_WIN32) || defined(__CYGWIN__)
#if defined(TKA_STATIC)
#define TKA_API
#elif defined(TKA_BUILDING)
#define TKA_API __declspec(dllexport)
#else
#define TKA_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#define TKA_API __attribute__((visibility("default")))
#else
#define TKA_API
#endif

#if defined(__GNUC__)
#define TKA_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define TKA_PRINTF(fmt_index, first_arg)
#endif

#endif
