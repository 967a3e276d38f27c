import Link from "next/link";

/** Any address with nothing behind it: an unknown path, or a run or session that does not exist (a 404). */
export default function NotFound() {
  return (
    <div className="space-y-3">
      <h1 className="text-2xl font-semibold tracking-tight">Not found</h1>
      <p className="text-sm text-stone-600 dark:text-stone-400">
        Nothing is at this address: the run or session it names does not exist, or the link is mistyped.
      </p>
      <Link href="/" className="text-sm text-emerald-700 hover:underline dark:text-emerald-400">
        Back to the overview
      </Link>
    </div>
  );
}
