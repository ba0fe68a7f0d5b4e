// What the build makes of every source: a page of the site, before layout.

export interface StepLink {
  /** The id of the step's heading on its page. */
  anchor: string;
  title: string;
  /** `<lab>/<step>`: the key of the step's progress in the browser. */
  progress: string;
}

export interface SearchDoc {
  id: string;
  /** Where the result leads: a page and a fragment. */
  url: string;
  title: string;
  text: string;
}

export interface Page {
  /** The file in the output folder, e.g. `01-pods.html`. */
  file: string;
  /** The page's h1 and <title>. */
  title: string;
  /** The shorter name in the navigation. */
  navTitle: string;
  /** The page's content: the inside of <main>, with exactly one h1. */
  main: string;
  /** A lab page's steps, for the step navigator. */
  steps?: StepLink[];
  /** Search entries; by default one per h2/h3 section of `main`. */
  search?: SearchDoc[];
  /** Left out of prev/next (the print page). */
  outOfSequence?: boolean;
}
