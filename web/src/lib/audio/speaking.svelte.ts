// Who is speaking right now (userIds), measured from each stage track's audio level; the stage reads it.
import { SvelteSet } from "svelte/reactivity";

export const speaking = new SvelteSet<string>();
