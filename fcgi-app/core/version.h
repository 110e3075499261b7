/* version.h: the version of Lume (--version, GET /, the archive provider's User-Agent). */
#ifndef LUME_VERSION_H
#define LUME_VERSION_H

#define LUME_VERSION "1.0.0"

#endif
