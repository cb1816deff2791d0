/* terminal: a pty created inside the container (its devpts instance), /dev/console bound to
 * the slave, and the slave made the controlling terminal and stdio. */
#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <stdio.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/sys.h"
#include "spec.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* The slave of master: TIOCGPTPEER (4.13+) opens it without a path lookup, so a
 * malicious /dev/pts in the image cannot hand us another file. */
static int
terminal_peer(int master, struct err *err)
{
	char name[64];
	int fd;

	fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (errno != EINVAL && errno != ENOTTY)
		return err_sys(err, "ioctl TIOCGPTPEER");
	if (ptsname_r(master, name, sizeof(name)) != 0)
		return err_sys(err, "ptsname");
	fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(err, "open %s", name);
	return fd;
}

int
terminal_resize(int fd, unsigned height, unsigned width, struct err *err)
{
	struct winsize ws = {.ws_row = (unsigned short)height, .ws_col = (unsigned short)width};

	if (height > 0xffff || width > 0xffff)
		return err_set(err, EINVAL, "console size %ux%u too large", width, height);
	if (ioctl(fd, TIOCSWINSZ, &ws) < 0)
		return err_sys(err, "set console size");
	return 0;
}

int
terminal_open(const struct rt_process *proc, int *master, int *slave, struct err *err)
{
	cleanup_close int m = -1, s = -1;

	*master = *slave = -1;
	m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return err_sys(err, "open /dev/ptmx");
	if (unlockpt(m) < 0)
		return err_sys(err, "unlockpt");
	s = terminal_peer(m, err);
	if (s < 0)
		return -1;
	if (proc && proc->has_console_size &&
	    terminal_resize(m, proc->console_height, proc->console_width, err) < 0)
		return -1;
	*master = take_fd(&m);
	*slave = take_fd(&s);
	return 0;
}

/* The slave's path from its device number: Unix98 pty N is (136 + N / 256, N % 256). */
static int
terminal_slave_path(int slave, char *buf, size_t len, struct err *err)
{
	struct stat st;

	if (fstat(slave, &st) < 0)
		return err_sys(err, "stat the console pty");
	if (!S_ISCHR(st.st_mode) || major(st.st_rdev) < 136 || major(st.st_rdev) > 143)
		return err_set(err, ENOTTY, "the console is not a pty slave");
	(void)snprintf(buf, len, "/dev/pts/%u",
	               (major(st.st_rdev) - 136) * 256 + minor(st.st_rdev));
	return 0;
}

int
terminal_mount_console(int slave, struct err *err)
{
	cleanup_close int tree = -1;
	char path[64];
	int fd;

	fd = open("/dev/console", O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_sys(err, "create /dev/console");
	close(fd);
	/* bind the slave we hold, not whatever a path names */
	tree = sys_open_tree(slave, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree >= 0) {
		if (sys_move_mount(tree, "", AT_FDCWD, "/dev/console", MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return err_sys(err, "move the console pty onto /dev/console");
		return 0;
	}
	if (errno != ENOSYS)
		return err_sys(err, "open_tree of the console pty");
	if (terminal_slave_path(slave, path, sizeof(path), err) < 0)
		return -1;
	if (mount(path, "/dev/console", NULL, MS_BIND, NULL) < 0)
		return err_sys(err, "bind %s onto /dev/console", path);
	return 0;
}

int
terminal_attach(int slave, struct err *err)
{
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return err_sys(err, "make the console the controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (slave != fd && dup2(slave, fd) < 0)
			return err_sys(err, "dup2 console to %d", fd);
	return 0;
}
