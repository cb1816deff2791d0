/* noresolv: the fully static shim's stand-ins for glibc's resolver. libevent's evutil.o refers
 * to getaddrinfo, getservbyname and getprotobynumber (for evutil_getaddrinfo, which libevent_core
 * only offers to callers: the shim never calls it, its sockets are unix sockets). Linked from
 * libc.a, that code would drag NSS and the DNS resolver into the binary, with link warnings that
 * they need the shared glibc at run time anyway. Linked only into the static shim binary (see
 * module.mk); if anything ever called these, it gets an error, never a wrong answer. The
 * declarations are <netdb.h>'s. */
#include <errno.h>
#include <netdb.h>
#include <stddef.h>

int
getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
            struct addrinfo **res)
{
	(void)node, (void)service, (void)hints;
	*res = NULL;
	errno = ENOSYS;
	return EAI_SYSTEM;
}

void
freeaddrinfo(struct addrinfo *ai)
{
	(void)ai; /* getaddrinfo above never returns a list */
}

struct servent *
getservbyname(const char *name, const char *proto)
{
	(void)name, (void)proto;
	errno = ENOSYS;
	return NULL;
}

struct protoent *
getprotobynumber(int proto)
{
	(void)proto;
	errno = ENOSYS;
	return NULL;
}
