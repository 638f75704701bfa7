/* version.h - the program's version, shown by --version and in the User-Agent. */
#ifndef PC_VERSION_H
#define PC_VERSION_H

#define PC_NAME    "progressive-capture"
#define PC_VERSION "0.1.0"
#define PC_USER_AGENT                                                                              \
	PC_NAME "/" PC_VERSION " (+https://github.com/contributor-info/progressive-capture)"

#endif
