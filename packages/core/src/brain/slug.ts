const MAX_SLUG = 60;

/** A file-name-safe slug of a title: lowercase ASCII letters, digits and single dashes. */
export function slugify(title: string, fallback = "note"): string {
  const slug = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, MAX_SLUG)
    .replace(/-+$/, "");
  return slug === "" ? fallback : slug;
}
