/*
** Opening a user's file for reading (file.h).
*/
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"

/* What a file that is not regular is, for the message. */
static const char *file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "of an unknown kind";
}

/* O_NONBLOCK makes open() return at once on a FIFO with no writer (and on
** devices that wait for a carrier); fstat then refuses both.  On a regular
** file O_NONBLOCK changes nothing, so the descriptor is left as it is. */
int tpc_file_open_regular(const char *path, int *fd) {
  *fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (*fd < 0) return tpc_error(TPC_EINPUT, "cannot open '%s': %s", path, strerror(errno));
  struct stat sb;
  if (fstat(*fd, &sb) != 0) {
    int err = errno;
    close(*fd);
    *fd = -1;
    return tpc_error(TPC_EIO, "cannot examine '%s': %s", path, strerror(err));
  }
  if (!S_ISREG(sb.st_mode)) {
    close(*fd);
    *fd = -1;
    return tpc_error(TPC_EINPUT, "'%s' is not a regular file (%s)", path, file_kind(sb.st_mode));
  }
  return TPC_OK;
}
