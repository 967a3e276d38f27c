import Markdown, { type Components } from "react-markdown";
import { safeUrl } from "../../lib/markdown/safe-url.ts";

const LINK = "text-emerald-700 underline hover:no-underline dark:text-emerald-400";

// The card's title is an h2, so a file's # heading is an h3. Plain elements with classes: no style attributes and no HTML strings, so nothing here needs the CSP's leniency.
const COMPONENTS: Components = {
  h1: ({ node: _node, ...props }) => <h3 className="mb-2 mt-4 text-xl font-semibold first:mt-0" {...props} />,
  h2: ({ node: _node, ...props }) => <h4 className="mb-2 mt-4 text-lg font-semibold first:mt-0" {...props} />,
  h3: ({ node: _node, ...props }) => <h5 className="mb-1 mt-3 font-semibold first:mt-0" {...props} />,
  h4: ({ node: _node, ...props }) => <h6 className="mb-1 mt-3 font-semibold" {...props} />,
  h5: ({ node: _node, ...props }) => <h6 className="mb-1 mt-3 font-semibold" {...props} />,
  h6: ({ node: _node, ...props }) => <h6 className="mb-1 mt-3 font-semibold" {...props} />,
  p: ({ node: _node, ...props }) => <p className="my-2" {...props} />,
  ul: ({ node: _node, ...props }) => <ul className="my-2 list-disc pl-6" {...props} />,
  ol: ({ node: _node, ...props }) => <ol className="my-2 list-decimal pl-6" {...props} />,
  blockquote: ({ node: _node, ...props }) => (
    <blockquote
      className="my-2 border-l-4 border-stone-300 pl-3 text-stone-600 dark:border-stone-700 dark:text-stone-400"
      {...props}
    />
  ),
  pre: ({ node: _node, ...props }) => (
    <pre className="my-2 overflow-x-auto rounded-lg bg-stone-100 p-3 text-xs dark:bg-stone-950" {...props} />
  ),
  code: ({ node: _node, ...props }) => <code className="font-mono text-[0.9em]" {...props} />,
  hr: () => <hr className="my-4 border-stone-200 dark:border-stone-800" />,
  img: ({ node: _node, src, alt }) =>
    // Pictures are not fetched (the page's policy would refuse other hosts anyway): the address is shown as a link.
    typeof src === "string" && src !== "" ? (
      <a href={src} className={LINK} rel="noopener noreferrer nofollow">
        {alt || src}
      </a>
    ) : (
      <span>{alt}</span>
    ),
};

/**
 * Markdown rendered as React elements: raw HTML in the source is dropped (never parsed into the page),
 * addresses other than http(s), mailto and relative ones are removed, code is text. `linkTo` may
 * point relative links elsewhere (a brain file's neighbour opens in the brain viewer).
 */
export function MarkdownView({ source, linkTo }: { source: string; linkTo?: (href: string) => string }) {
  const components: Components = {
    ...COMPONENTS,
    a: ({ node: _node, href, children }) =>
      href ? (
        <a href={linkTo ? linkTo(href) : href} className={LINK} rel="noopener noreferrer nofollow">
          {children}
        </a>
      ) : (
        <span>{children}</span>
      ),
  };
  return (
    <div className="break-words text-sm leading-relaxed">
      <Markdown skipHtml urlTransform={(url) => safeUrl(url) ?? ""} components={components}>
        {source}
      </Markdown>
    </div>
  );
}
