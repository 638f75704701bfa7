/*
 * model.c - the domain's tables, and freeing and copying its structs.
 */
#include "model.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

const struct pr_part pr_parts[PR_NPARTS] = {
	{PR_FILES, "details"},
	{PR_REVIEWS, "reviews"},
	{PR_COMMENTS, "comments"},
};

void
gh_user_release(struct gh_user *u)
{
	free(u->login);
	free(u->type);
	free(u->avatar_url);
	free(u->html_url);
	memset(u, 0, sizeof(*u));
}

void
gh_user_copy(struct gh_user *dst, const struct gh_user *src)
{
	dst->id = src->id;
	dst->login = xstrdup(src->login);
	dst->type = xstrdup(src->type);
	dst->avatar_url = xstrdup(src->avatar_url);
	dst->html_url = xstrdup(src->html_url);
	dst->is_bot = src->is_bot;
}

void
gh_repo_release(struct gh_repo *r)
{
	free(r->full_name);
	free(r->owner);
	free(r->name);
	free(r->description);
	free(r->homepage);
	free(r->language);
	free(r->default_branch);
	free(r->license);
	free(r->html_url);
	free(r->avatar_url);
	free(r->created_at);
	free(r->updated_at);
	free(r->pushed_at);
	for (size_t i = 0; i < r->n_topics; i++)
		free(r->topics[i]);
	free(r->topics);
	memset(r, 0, sizeof(*r));
}

void
gh_pull_release(struct gh_pull *p)
{
	free(p->title);
	free(p->body);
	free(p->state);
	free(p->created_at);
	free(p->updated_at);
	free(p->closed_at);
	free(p->merged_at);
	free(p->base_ref);
	free(p->head_ref);
	free(p->html_url);
	free(p->diff_url);
	free(p->patch_url);
	free(p->mergeable_state);
	free(p->etag);
	gh_user_release(&p->author);
	gh_user_release(&p->merged_by);
	memset(p, 0, sizeof(*p));
}

void
gh_file_release(struct gh_file *f)
{
	free(f->filename);
	free(f->status);
	free(f->previous_filename);
	memset(f, 0, sizeof(*f));
}

void
gh_review_release(struct gh_review *r)
{
	free(r->state);
	free(r->body);
	free(r->submitted_at);
	free(r->commit_id);
	gh_user_release(&r->author);
	memset(r, 0, sizeof(*r));
}

void
gh_comment_release(struct gh_comment *c)
{
	free(c->body);
	free(c->created_at);
	free(c->updated_at);
	free(c->path);
	free(c->diff_hunk);
	free(c->commit_id);
	free(c->original_commit_id);
	gh_user_release(&c->author);
	memset(c, 0, sizeof(*c));
}

void
gh_commit_release(struct gh_commit *c)
{
	free(c->sha);
	free(c->message);
	free(c->authored_at);
	free(c->committed_at);
	free(c->html_url);
	gh_user_release(&c->author);
	gh_user_release(&c->committer);
	for (size_t i = 0; i < c->n_prs; i++)
		free(c->prs[i].base_ref);
	free(c->prs);
	memset(c, 0, sizeof(*c));
}

void
gh_app_info_release(struct gh_app_info *i)
{
	if (i == NULL)
		return;
	free(i->slug);
	free(i->name);
	free(i->account);
	free(i->selection);
	free(i->repository);
	free(i->permissions);
	free(i->expires_at);
	memset(i, 0, sizeof(*i));
}

void
gh_run_release(struct gh_run *r)
{
	if (r == NULL)
		return;
	free(r->title);
	free(r->status);
	free(r->conclusion);
	free(r->html_url);
	free(r->event);
	free(r->created_at);
	free(r->updated_at);
	free(r->run_started_at);
	memset(r, 0, sizeof(*r));
}

void
inngest_event_release(struct inngest_event *ev)
{
	if (ev == NULL)
		return;
	free(ev->name);
	free(ev->key);
	free(ev->repository_id);
	free(ev->repository);
	free(ev->pr_numbers);
	free(ev->job_id);
	free(ev->problem);
	memset(ev, 0, sizeof(*ev));
}

void
inngest_export_release(struct inngest_export *x)
{
	if (x == NULL)
		return;
	for (size_t i = 0; i < x->n; i++)
		inngest_event_release(&x->events[i]);
	free(x->events);
	memset(x, 0, sizeof(*x));
}

void
job_metadata_release(struct job_metadata *m)
{
	if (m == NULL)
		return;
	free(m->heartbeat_at);
	free(m->repository_name);
	free(m->created_by);
	free(m->migrated_to);
	free(m->pr_numbers);
	for (size_t i = 0; i < m->n_migrated_from; i++)
		free(m->migrated_from[i]);
	free(m->migrated_from);
	memset(m, 0, sizeof(*m));
}

void
gh_event_release(struct gh_event *ev)
{
	if (ev == NULL)
		return;
	free(ev->name);
	free(ev->action);
	free(ev->why);
	free(ev->repository);
	gh_review_release(&ev->review);
	gh_comment_release(&ev->comment);
	for (size_t i = 0; i < ev->n_shas; i++)
		free(ev->shas[i]);
	free(ev->shas);
	free(ev->earliest);
	memset(ev, 0, sizeof(*ev));
}
