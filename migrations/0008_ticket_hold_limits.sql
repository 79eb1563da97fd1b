ALTER TABLE `ticket_holds` ADD `address_key` text;--> statement-breakpoint
CREATE INDEX `ticket_holds_user_open` ON `ticket_holds` (`user_id`,`status`,`expires_at`);--> statement-breakpoint
CREATE INDEX `ticket_holds_address_open` ON `ticket_holds` (`address_key`,`status`,`expires_at`);