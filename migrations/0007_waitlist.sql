CREATE TABLE `waitlist_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`space_id` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`space_id`) REFERENCES `spaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `waitlist_space_user` ON `waitlist_entries` (`space_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `waitlist_space_order` ON `waitlist_entries` (`space_id`,`id`);--> statement-breakpoint
ALTER TABLE `ticket_holds` ADD `source` text DEFAULT 'checkout' NOT NULL;--> statement-breakpoint
CREATE INDEX `ticket_holds_open_expiry` ON `ticket_holds` (`status`,`expires_at`);