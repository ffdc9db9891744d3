// SPDX-License-Identifier: GPL-2.0
/* proxy.c - see proxy.h. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/vm_sockets.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proxy.h"
#include "util.h"

struct pump {			/* one forwarded connection */
	struct proxy *p;
	int a, b;
};

struct proxy {
	int lfd;
	bool to_vsock;		/* where accepted connections go */
	uint32_t peer_cid;	/* vsock listener: who may connect (0: anyone) */
	uint32_t cid, vport;	/* to_vsock */
	struct sockaddr_in tcp;	/* !to_vsock */
	pthread_t acceptor;
	atomic_bool stop;
	pthread_mutex_t lock;
	pthread_cond_t done;
	unsigned int live;	/* pumps running */
	int *fds;		/* their sockets, to cut them at the end */
	size_t nr_fds;
};

static int connect_dest(struct proxy *p)
{
	int fd;

	if (p->to_vsock) {
		struct sockaddr_vm a = { .svm_family = AF_VSOCK, .svm_cid = p->cid,
					 .svm_port = p->vport };

		fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
			close(fd);
			fd = -1;
		}
	} else {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&p->tcp, sizeof(p->tcp)) < 0) {
			close(fd);
			fd = -1;
		}
	}
	return fd;
}

/* Copy what @from has to @to; false at its end or on an error. */
static bool copy_some(int from, int to)
{
	char buf[65536];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n <= 0)
		return false;
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		off += w;
	}
	return true;
}

static void *pump_run(void *arg)
{
	struct pump *u = arg;
	struct proxy *p = u->p;
	struct pollfd fds[2] = { { u->a, POLLIN, 0 }, { u->b, POLLIN, 0 } };
	bool open[2] = { true, true };

	while (open[0] || open[1]) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (!open[i] || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (!copy_some(fds[i].fd, fds[1 - i].fd)) {
				/* Its end: say so to the other side, keep the other way. */
				open[i] = false;
				fds[i].fd = -1;
				shutdown(i ? u->a : u->b, SHUT_WR);
				if (fds[i].revents & POLLERR)
					open[0] = open[1] = false;
			}
		}
	}
	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; i < p->nr_fds; i++)
		if (p->fds[i] == u->a || p->fds[i] == u->b)
			p->fds[i] = -1;
	close(u->a);
	close(u->b);
	p->live--;
	pthread_cond_broadcast(&p->done);
	pthread_mutex_unlock(&p->lock);
	free(u);
	return NULL;
}

static bool peer_allowed(const struct proxy *p, const struct sockaddr_vm *a)
{
	return p->to_vsock || !p->peer_cid || a->svm_cid == p->peer_cid;
}

static void *accept_run(void *arg)
{
	struct proxy *p = arg;

	while (!atomic_load(&p->stop)) {
		/* Large enough for both address families. */
		union { struct sockaddr_vm vm; struct sockaddr_in in; } a;
		socklen_t len = sizeof(a);
		struct pollfd pfd = { p->lfd, POLLIN, 0 };
		struct pump *u;
		pthread_t t;
		int fd, dest, *fds;

		/* A timeout: not every socket family wakes accept() on shutdown. */
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		fd = accept4(p->lfd, (struct sockaddr *)&a, &len, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN)
				continue;
			break;
		}
		if (!peer_allowed(p, &a.vm) || (dest = connect_dest(p)) < 0) {
			close(fd);
			continue;
		}
		u = malloc(sizeof(*u));
		pthread_mutex_lock(&p->lock);
		fds = realloc(p->fds, (p->nr_fds + 2) * sizeof(*fds));
		if (!u || !fds) {
			pthread_mutex_unlock(&p->lock);
			free(u);
			if (fds)
				p->fds = fds;
			close(fd);
			close(dest);
			continue;
		}
		p->fds = fds;
		fds[p->nr_fds++] = fd;
		fds[p->nr_fds++] = dest;
		*u = (struct pump){ p, fd, dest };
		p->live++;
		if (pthread_create(&t, NULL, pump_run, u)) {
			p->live--;
			p->nr_fds -= 2;
			pthread_mutex_unlock(&p->lock);
			close(fd);
			close(dest);
			free(u);
			continue;
		}
		pthread_detach(t);
		pthread_mutex_unlock(&p->lock);
	}
	return NULL;
}

/* A proxy that could not be set up: NULL, errno kept. */
static struct proxy *give_up(struct proxy *p, int fd)
{
	int e = errno;

	if (fd >= 0)
		close(fd);
	free(p);
	errno = e;
	return NULL;
}

static struct proxy *start(struct proxy *p, int lfd)
{
	p->lfd = lfd;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->done, NULL);
	if (listen(lfd, 16) < 0 || pthread_create(&p->acceptor, NULL, accept_run, p))
		return give_up(p, lfd);
	return p;
}

struct proxy *proxy_vsock_to_tcp(uint32_t vport, uint32_t peer_cid, const char *host,
				 uint16_t port)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY,
				 .svm_port = vport };
	struct proxy *p = calloc(1, sizeof(*p));
	int fd;

	if (!p)
		return NULL;
	p->peer_cid = peer_cid;
	p->tcp.sin_family = AF_INET;
	p->tcp.sin_port = htons(port);
	if (inet_pton(AF_INET, host, &p->tcp.sin_addr) != 1) {
		free(p);
		errno = EINVAL;
		return NULL;
	}
	fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		return give_up(p, fd);
	return start(p, fd);
}

struct proxy *proxy_tcp_to_vsock(uint16_t *port, uint32_t cid, uint32_t vport)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	struct proxy *p = calloc(1, sizeof(*p));
	int fd;

	if (!p)
		return NULL;
	p->to_vsock = true;
	p->cid = cid;
	p->vport = vport;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return give_up(p, fd);
	*port = ntohs(a.sin_port);
	return start(p, fd);
}

void proxy_close(struct proxy *p, double grace_s)
{
	double end = now_s() + grace_s;

	if (!p)
		return;
	atomic_store(&p->stop, true);
	pthread_join(p->acceptor, NULL);
	close(p->lfd);
	pthread_mutex_lock(&p->lock);
	while (p->live && now_s() < end) {
		pthread_mutex_unlock(&p->lock);
		usleep(50000);
		pthread_mutex_lock(&p->lock);
	}
	for (size_t i = 0; i < p->nr_fds; i++)
		if (p->fds[i] >= 0)
			shutdown(p->fds[i], SHUT_RDWR);	/* their pumps end */
	while (p->live)
		pthread_cond_wait(&p->done, &p->lock);
	pthread_mutex_unlock(&p->lock);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->done);
	free(p->fds);
	free(p);
}
