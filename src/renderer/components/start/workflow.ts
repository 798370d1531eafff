// The workbench's workflow as the first screen lists it: one step a view, in the order the work is done.

/** The views a workflow step opens (the tab ids of App.vue). */
export type WorkflowView = 'datasets' | 'plan' | 'inspect' | 'train' | 'sweeps' | 'results'

/** One step of the workflow. */
export interface WorkflowStep {
  view: WorkflowView
  title: string
  /** What the step does, in one sentence. */
  what: string
  /** The button that opens its view. */
  button: string
}

export const workflowSteps: readonly WorkflowStep[] = [
  {
    view: 'datasets',
    title: 'Import',
    what: 'Read a folder of NIfTI images and labels into the store, split into training, validation and test volumes.',
    button: 'Import a dataset',
  },
  {
    view: 'plan',
    title: 'Plan',
    what: 'Spend an annotation budget: how many volumes, what share of their slices, and which slices (fixed, random or representative).',
    button: 'Open Plan',
  },
  {
    view: 'inspect',
    title: 'Inspect',
    what: 'Interpolate the masks between the annotated slices and compare them with the human masks, slice by slice and in 3D.',
    button: 'Open Inspect',
  },
  {
    view: 'train',
    title: 'Train',
    what: 'Train a segmentation model on the sparse (or interpolated) labels and read its test Dice; every run is kept in History.',
    button: 'Open Train',
  },
  {
    view: 'sweeps',
    title: 'Sweep',
    what: 'Run a grid of budgets, slice choices and seeds as one resumable sweep.',
    button: 'Open Sweeps',
  },
  {
    view: 'results',
    title: 'Results',
    what: "Read a sweep's answer in the paper's figures, with the tests behind each sentence.",
    button: 'Open Results',
  },
]
