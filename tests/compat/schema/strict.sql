-- The `strict` variant: prod.sql plus the input-validation CHECKs that
-- contributor.info's migration 20240616000001_add_validation_constraints adds
-- to the capture tables (production's export shows none of them). Constraint
-- names are that migration's; the conditions are written for this fixture and
-- mean the same, except where PostgreSQL refuses the original (a subquery in
-- repositories_topics_length), which is expressed without one.
--
-- Added NOT VALID: existing rows are not checked, every row inserted or updated
-- afterwards is. fixture.js then validates each one the seeded rows satisfy; the
-- others stay NOT VALID (as on a database whose rows predate the checks).

-- contributors: GitHub login rules (1-39 characters, letters, digits and inner
-- hyphens: "dependabot[bot]" does not pass), sizes, URLs, counts, dates.
alter table public.contributors
	add constraint contributors_username_length
		check (char_length(username) between 1 and 39) not valid,
	add constraint contributors_username_format
		check (username ~ '^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$') not valid,
	add constraint contributors_display_name_length
		check (display_name is null or char_length(display_name) <= 255) not valid,
	add constraint contributors_avatar_url_format
		check (avatar_url is null or avatar_url ~ '^https?://') not valid,
	add constraint contributors_email_format
		check (email is null or email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$') not valid,
	add constraint contributors_company_length
		check (company is null or char_length(company) <= 255) not valid,
	add constraint contributors_location_length
		check (location is null or char_length(location) <= 255) not valid,
	add constraint contributors_bio_length
		check (bio is null or char_length(bio) <= 1000) not valid,
	add constraint contributors_blog_format
		check (blog is null or blog ~ '^https?://') not valid,
	add constraint contributors_public_repos_non_negative check (public_repos >= 0) not valid,
	add constraint contributors_public_gists_non_negative check (public_gists >= 0) not valid,
	add constraint contributors_followers_non_negative check (followers >= 0) not valid,
	add constraint contributors_following_non_negative check (following >= 0) not valid,
	add constraint contributors_date_consistency
		check (github_created_at is null or github_created_at <= now()) not valid;

-- repositories: owner and name formats, sizes, counts, dates.
alter table public.repositories
	add constraint repositories_name_format
		check (name ~ '^[A-Za-z0-9._-]{1,100}$') not valid,
	add constraint repositories_full_name_format
		check (full_name ~ '^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$') not valid,
	add constraint repositories_owner_format
		check (owner ~ '^[A-Za-z0-9-]{1,39}$') not valid,
	add constraint repositories_description_length
		check (description is null or char_length(description) <= 1000) not valid,
	add constraint repositories_homepage_format
		check (homepage is null or homepage ~ '^https?://') not valid,
	add constraint repositories_language_length
		check (language is null or char_length(language) <= 50) not valid,
	add constraint repositories_stargazers_non_negative check (stargazers_count >= 0) not valid,
	add constraint repositories_watchers_non_negative check (watchers_count >= 0) not valid,
	add constraint repositories_forks_non_negative check (forks_count >= 0) not valid,
	add constraint repositories_issues_non_negative check (open_issues_count >= 0) not valid,
	add constraint repositories_size_non_negative check (size >= 0) not valid,
	add constraint repositories_default_branch_length
		check (char_length(default_branch) between 1 and 255) not valid,
	add constraint repositories_license_length
		check (license is null or char_length(license) <= 50) not valid,
	-- at most 20 topics, none empty, none over 50 characters (topics hold no newline)
	add constraint repositories_topics_length
		check (topics is null or (cardinality(topics) <= 20 and '' <> all (topics)
			and array_to_string(topics, e'\n') !~ '[^\n]{51}')) not valid,
	add constraint repositories_date_consistency
		check (coalesce(github_created_at <= now(), true)
			and coalesce(github_updated_at <= now(), true)
			and coalesce(github_pushed_at <= now(), true)
			and coalesce(github_created_at <= github_updated_at, true)) not valid;

-- pull_requests: positive numbers, sizes (a body over 10,000 characters is
-- refused), counts, URLs, dates in order, merged and closed states consistent.
alter table public.pull_requests
	add constraint pull_requests_number_positive check (number > 0) not valid,
	add constraint pull_requests_title_length
		check (char_length(title) between 1 and 500) not valid,
	add constraint pull_requests_body_length
		check (body is null or char_length(body) <= 10000) not valid,
	add constraint pull_requests_base_branch_length
		check (char_length(base_branch) between 1 and 255) not valid,
	add constraint pull_requests_head_branch_length
		check (char_length(head_branch) between 1 and 255) not valid,
	add constraint pull_requests_mergeable_state_length
		check (mergeable_state is null or char_length(mergeable_state) <= 50) not valid,
	add constraint pull_requests_additions_non_negative check (additions >= 0) not valid,
	add constraint pull_requests_deletions_non_negative check (deletions >= 0) not valid,
	add constraint pull_requests_changed_files_non_negative check (changed_files >= 0) not valid,
	add constraint pull_requests_commits_non_negative check (commits >= 0) not valid,
	add constraint pull_requests_html_url_format
		check (html_url is null or html_url ~ '^https?://') not valid,
	add constraint pull_requests_diff_url_format
		check (diff_url is null or diff_url ~ '^https?://') not valid,
	add constraint pull_requests_patch_url_format
		check (patch_url is null or patch_url ~ '^https?://') not valid,
	add constraint pull_requests_date_consistency
		check (updated_at >= created_at
			and coalesce(closed_at >= created_at, true)
			and coalesce(merged_at >= created_at, true)
			and coalesce(merged_at <= closed_at, true)) not valid,
	add constraint pull_requests_merged_validation
		check ((not merged or merged_at is not null)
			and (state = 'open' or closed_at is not null)) not valid;

-- reviews: body size, a 40-character commit id at most, not submitted in the future.
alter table public.reviews
	add constraint reviews_body_length
		check (body is null or char_length(body) <= 10000) not valid,
	add constraint reviews_commit_id_length
		check (commit_id is null or char_length(commit_id) <= 40) not valid,
	add constraint reviews_date_consistency check (submitted_at <= now()) not valid;

-- comments: a non-empty body of 10,000 characters at most, positive positions,
-- a diff hunk of 1,000 characters at most, and a review comment must have a
-- position and a path (an outdated one, position null, is refused).
alter table public.comments
	add constraint comments_body_length
		check (char_length(body) between 1 and 10000) not valid,
	add constraint comments_position_positive
		check (position is null or position > 0) not valid,
	add constraint comments_original_position_positive
		check (original_position is null or original_position > 0) not valid,
	add constraint comments_diff_hunk_length
		check (diff_hunk is null or char_length(diff_hunk) <= 1000) not valid,
	add constraint comments_path_length
		check (path is null or char_length(path) <= 500) not valid,
	add constraint comments_commit_id_length
		check (commit_id is null or char_length(commit_id) <= 40) not valid,
	add constraint comments_date_consistency check (created_at <= updated_at) not valid,
	add constraint comments_review_comment_validation
		check (comment_type = 'issue_comment'
			or (comment_type = 'review_comment' and position is not null
			    and path is not null)) not valid;
